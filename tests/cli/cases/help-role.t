rdbdadm role --help: usage, description and options.
  $ rdbdadm role --help
  usage: rdbdadm role RES|all
  
  print the roles of this node and of the peer
  
  role options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
