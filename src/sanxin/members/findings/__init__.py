"""双找双核: a platform's worker list matched against the registry (找党员, 找新就业), each finding
checked twice — by the organization department and by the industry regulator — before it changes the
registry."""
