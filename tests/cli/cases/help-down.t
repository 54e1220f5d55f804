rdbdadm down --help: usage, description and options.
  $ rdbdadm down --help
  usage: rdbdadm down RES|all
  
  disconnect, detach and remove the device
  
  down options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
