"""The sandbox's view of site-packages: read from the .dist-info folders directly, it holds
exactly what importlib.metadata's reading of the same distributions gives."""

import re

from autograder import isolation


def by_importlib_metadata():
    """allowed_site_entries as importlib.metadata computes it (the form before)."""
    import importlib.metadata
    wanted, seen, entries = list(isolation.ALLOWED_DISTRIBUTIONS), set(), {}
    while wanted:
        name = re.split(r'[\s;\[<>=!~(]', wanted.pop(), maxsplit=1)[0].lower().replace('_', '-')
        if not name or name in seen:
            continue
        seen.add(name)
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        wanted += [r for r in dist.requires or () if 'extra ==' not in r]
        base = dist.locate_file('').resolve()
        for top in {f.parts[0] for f in dist.files if f.parts} - {'..'}:
            if not isolation._hidden(top) and (base / top).exists():
                entries.setdefault(str(base), set()).add(top)
    return {folder: sorted(names) for folder, names in entries.items()}


def test_site_entries_are_importlib_metadata_s():
    entries = isolation.allowed_site_entries()
    assert entries == by_importlib_metadata()
    names = {name for folder in entries.values() for name in folder}
    assert {'numpy', 'sklearn', 'scipy', 'graphviz', 'matplotlib'} <= names


def test_each_distribution_reads_as_importlib_metadata_reads_it():
    import importlib.metadata
    for name in ('numpy', 'scikit-learn', 'matplotlib', 'graphviz', 'python-dateutil'):
        base, requires, tops = isolation._distribution(isolation._normal(name))
        dist = importlib.metadata.distribution(name)
        assert base == dist.locate_file('').resolve()
        assert requires == list(dist.requires or ())
        assert tops == {f.parts[0] for f in dist.files if f.parts}
    assert isolation._distribution('no-such-distribution-here') is None
