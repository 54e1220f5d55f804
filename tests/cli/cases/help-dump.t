rdbdadm dump --help: usage, description and options.
  $ rdbdadm dump --help
  usage: rdbdadm dump [RES|all]
  
  print the configuration with every default written out
  
  dump options:
    --resource RES|all (=all) resource name, or 'all' for every resource of this 
                              node (given without --resource)
  
  Global options (-c, --node, -d, --json): see 'rdbdadm --help'.
