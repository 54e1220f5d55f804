rdbdadm status --help: usage, description and options.
  $ rdbdadm status --help
  usage: rdbdadm status [RES|all] [--json]
  
  show roles, disk and connection states (all resources by default)
  
  status options:
    --resource RES|all (=all) resource name, or 'all' for every resource of this 
                              node (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
