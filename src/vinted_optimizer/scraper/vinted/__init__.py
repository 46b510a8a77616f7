"""Vinted's website API, one module per endpoint family; parsing (pure functions over bytes and decoded
JSON, tested on recorded answers) apart from transport (``transport``, ``client``). The wire format is
described in shared/contracts/vinted.md."""
