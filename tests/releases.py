"""The template's releases, oldest first: version -> commit.

Tags do not always travel with a clone, so the update tests tag these commits
themselves. Cutting a release adds a line here (docs/releasing.md).
"""

RELEASES = {
    "0.1.0": "c8d0d74d1ce5271f177fb25a50058985d6391622",
    "0.2.0": "a41f243e940741fac834409b4afa3b37b42f445c",
}
