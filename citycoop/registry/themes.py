"""The theme taxonomy as a tree: which themes lie under which, read in one query."""

from __future__ import annotations

from citycoop.registry.models import Theme

Children = dict[int | None, list[int]]  # parent id (None: the top) -> its themes' ids


def theme_children(rows: list[tuple[int, int | None]] | None = None) -> Children:
    """The tree from (id, parent id) rows, read from the database when not given."""
    children: Children = {}
    for theme_id, parent_id in rows if rows is not None else Theme.objects.values_list(
            "id", "parent_id"):
        children.setdefault(parent_id, []).append(theme_id)
    return children


def below(children: Children, root: int) -> set[int]:
    """``root`` and every theme under it, however deep."""
    family, pending = {root}, [root]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in family:
                family.add(child)
                pending.append(child)
    return family


def theme_family(slug: str) -> set[int]:
    """The ids of the theme with this slug and of every theme below it (empty if unknown);
    one query."""
    rows = list(Theme.objects.values_list("id", "parent_id", "slug"))
    roots = [theme_id for theme_id, _, theme_slug in rows if theme_slug == slug]
    if not roots:
        return set()
    return below(theme_children([(theme_id, parent) for theme_id, parent, _ in rows]), roots[0])
