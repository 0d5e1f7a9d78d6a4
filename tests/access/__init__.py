"""Who may see and do what, across features: the matrix of roles against every URL that names
something, the fuzz test of every form, and each feature's pages by role. They share one world
(tests/access/world.py) and its snapshots (tests/access/snapshots.py)."""
