rdbdadm dstate --help: usage, description and options.
  $ rdbdadm dstate --help
  usage: rdbdadm dstate RES|all
  
  print the disk states of this node and of the peer
  
  dstate options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
