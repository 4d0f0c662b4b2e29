# demo comes later
