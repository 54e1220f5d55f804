This node has no on section (exit 3).
  $ rdbdadm -c conf/web.conf --node other up web
  rdbdadm: conf/web.conf:7:1: no 'on' section for this node 'other' in resource web (hosts: corman, rabius); use --node
  [3]
