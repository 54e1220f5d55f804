rdbd-heartbeat refuses an unknown command before reading any file (exit 2).
  $ rdbd-heartbeat --config-dir /nonexistent frobnicate
  rdbd-heartbeat: unknown command 'frobnicate'
  [2]
