"""The programme's status page regenerated from the database (see :mod:`.model`)."""
