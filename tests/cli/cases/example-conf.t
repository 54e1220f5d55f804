The commented example that ships in conf/ is valid: dump reads it without error.
  $ rdbdadm -c ../../conf/rdbd.conf dump >/dev/null && echo valid
  valid
