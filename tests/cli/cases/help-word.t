'rdbdadm help' is 'rdbdadm --help'.
  $ rdbdadm help
  usage: rdbdadm [-c FILE] [--node NAME] [-d|--dry-run] [--json] <command> [args]
  
  Commands:
    adjust RES|all                  apply what differs from the configuration (up, attach, connect, disk options, reconnect)
    attach RES|all                  attach this node's disk to the device
    connect RES|all [--discard-my-data] [--after-sb-Npri POLICY]
                                    start connecting to the peer (WFConnection)
    create-md RES|all [--force]     write fresh meta data at the end of this node's disk
    cstate RES|all                  print the connection state
    detach RES|all                  release this node's disk (the device stays, Diskless)
    disconnect RES|all              drop the connection to the peer (StandAlone)
    disk-options RES|all [--resync-rate KIB] [--c-plan-ahead DS] [--c-min-rate KIB] [--c-max-rate KIB] [--al-extents N] [--fencing POLICY]
                                    set the resync rate controller (default: the configuration)
    down RES|all                    disconnect, detach and remove the device
    dstate RES|all                  print the disk states of this node and of the peer
    dump [RES|all]                  print the configuration with every default written out
    events [RES|all] [--json] [--timestamps]
                                    print the current state, then one line per change (until ^C)
    get-gi RES|all                  print this node's generation UUIDs, raw
    helper HANDLER RES              run the configured handler (rdbd.ko calls this, as DRBD calls drbdadm)
    invalidate RES|all              discard this node's data: a full sync from the peer follows
    invalidate-remote RES|all       discard the peer's data: a full sync to it follows (Connected only)
    outdate RES|all                 mark this node's disk Outdated (not promoted without --force); not while connected
    pause-sync RES|all              hold the resync (on both nodes) until resume-sync
    primary RES|all [--force]       promote the device to Primary
    resume-io RES|all               end a freeze of application I/O by fencing (resource-and-stonith) without fencing the peer
    resume-sync RES|all             let a resync held by pause-sync on this node move
    role RES|all                    print the roles of this node and of the peer
    secondary RES|all               demote the device to Secondary
    show-gi RES|all                 explain this node's generation UUIDs and what a connect would decide
    start [RES|all]                 boot: adjust, wait for the peer, promote per become-primary-on
    status [RES|all] [--json]       show roles, disk and connection states (all resources by default)
    stop [RES|all]                  shutdown: take down every resource that is up
    up RES|all                      create the device, attach its disk and start connecting to the peer
    verify RES|all                  compare both disks online and mark the blocks that differ out of sync (needs verify-alg)
    wait-connect RES|all [--timeout S]
                                    wait until the connection to the peer is up (exit 5 on timeout)
    wait-sync RES|all [--timeout S] wait until connected with both disks UpToDate; a progress bar on a terminal
  
  Global options:
    -h [ --help ]                         show this help, or a command's help
    -c [ --config ] FILE (=/etc/rdbd.conf)
                                          configuration file
    --node NAME                           act as host NAME of the `on` sections 
                                          (default: uname -n)
    -d [ --dry-run ]                      print the operations instead of running
                                          them (state queries still run)
    --json                                machine-readable output (status, 
                                          events)
  
  Exit codes:
    0   success
    1   generic failure
    2   usage error
    3   configuration error
    4   rdbd kernel module not loaded, or netlink failure
    5   timeout
    10  the kernel refused the request (its message is printed)
  
  Run 'rdbdadm <command> --help' (or 'rdbdadm help <command>') for a command's options; man rdbdadm and man rdbd.conf for the rest.
