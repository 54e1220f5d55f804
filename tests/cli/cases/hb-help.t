rdbd-heartbeat lists its commands (the man page test reads this list).
  $ rdbd-heartbeat --help | sed -n 1,9p
  usage: rdbd-heartbeat [options] [command] [--json]
  
  Commands:
    run             run the daemon (the default without a command)
    check-config    read ha.cf, authkeys and haresources; report
    status          ask the daemon for its state ([--json])
    standby         hand this node's resources to the peer (hb_standby)
    takeover        take the peer's resources (hb_takeover)
  
