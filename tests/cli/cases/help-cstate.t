rdbdadm cstate --help: usage, description and options.
  $ rdbdadm cstate --help
  usage: rdbdadm cstate RES|all
  
  print the connection state
  
  cstate options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
