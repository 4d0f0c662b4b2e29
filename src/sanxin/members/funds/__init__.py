"""党组织经费: a branch's funds ledger — dues returned to it, party-work funds allocated by the
committee, spending with receipts, and the balance."""
