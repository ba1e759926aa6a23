"""The template's releases, oldest first: version -> commit.

Tags do not always travel with a clone, so the update tests tag these commits
themselves. Cutting a release adds a line here and raises NEXT_RELEASE
(docs/releasing.md).
"""

RELEASES = {
    "0.1.0": "c8d0d74d1ce5271f177fb25a50058985d6391622",
    "0.2.0": "a41f243e940741fac834409b4afa3b37b42f445c",
    "0.3.0": "c8cfbc35d31de8020a63155596b306ed064a1c40",
}

# The version the working tree will be released as. The update tests tag the working
# tree with it, so the `_migrations` written for it run as they will for users.
NEXT_RELEASE = "0.4.0"
