rdbdadm secondary --help: usage, description and options.
  $ rdbdadm secondary --help
  usage: rdbdadm secondary RES|all
  
  demote the device to Secondary
  
  secondary options:
    --resource RES|all    resource name, or 'all' for every resource of this node
                          (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
