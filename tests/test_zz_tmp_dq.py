import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.test_discussions_threads import *  # noqa
pytest_plugins = ["tests.workspace_fixtures"]

def test_show(client, thread, member, manager, pilot):
    add_posts(thread, member, 200)
    for persona in (None, member, manager):
        if persona: client.force_login(persona)
        with CaptureQueriesContext(connection) as q:
            client.get(f"/discussions/{thread.pk}/?page=last")
        print(persona, len(q))
        for x in q: print("   ", x["sql"][:150])
    with CaptureQueriesContext(connection) as q:
        client.get(PILOT_PAGE.format(pilot.slug))
    print("pilot page", len(q))
