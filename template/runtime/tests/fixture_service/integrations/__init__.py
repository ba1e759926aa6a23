"""The outside systems the jobs talk to: e-mail, a payment provider, file storage.
Examples to replace with your own."""
