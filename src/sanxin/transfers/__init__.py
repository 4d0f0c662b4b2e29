"""组织关系转接 on a verifiable transparency ledger, and the digital member ID (党员数字身份证).

- the transfer workflow (this package's top level): apply → out-org approval and the letter → the
  higher-level step where the transfer crosses committees or leaves the region → in-org acceptance
  (the switch, through ``members.services.membership_move``) → report;
- ``merkle``: RFC 6962 / RFC 9162 Merkle tree hashing and proofs over bytes, no Django;
- ``ledger``: the stored transparency log — salted commitments to membership events, signed tree
  heads, proofs, verification;
- ``credentials``: the signed member credential (QR) and its verification and revocation.
"""
