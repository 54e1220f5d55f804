A string without its closing quote: the line and column where it starts; the secret is not echoed (exit 3).
  $ rdbdadm -c conf/bad-unterminated-string.conf --node corman up web
  rdbdadm: conf/bad-unterminated-string.conf:4:44: unterminated string (expected a closing '"' on the same line)
  [3]
