dump's output reads back in and dumps the same.
  $ f=$(mktemp) && rdbdadm -c conf/web.conf dump > "$f" && rdbdadm -c "$f" dump | diff - "$f" && echo same; rm -f "$f"
  same
