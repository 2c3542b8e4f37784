# Turns `docker compose config --format json` into a file `docker stack
# deploy` accepts: Swarm's loader speaks Compose file format 3, which
# rejects the keys below and wants numbers and strings where Compose now
# writes the other.
# Swarm has no use for the dropped keys: it builds nothing, restarts through
# deploy.restart_policy and has no start-order conditions. It ignores the
# service-level tmpfs option, so those become tmpfs mounts (options such as
# size and uid are Compose-only; Swarm's tmpfs is world-writable).
def number: if type == "string" then tonumber else . end;
def cpus_as_string: if .cpus then .cpus |= tostring else . end;

del(.name)
| .version = "3.9"
| .services |= with_entries(.value |= (
      with_entries(select(.value != null))
      | (if .depends_on then .depends_on = (.depends_on | keys) else . end)
      | if .tmpfs then .volumes = ((.volumes // []) + (.tmpfs | map({type: "tmpfs", target: split(":")[0]}))) else . end
      | del(.build, .pull_policy, .restart, .expose, .tmpfs)
      | if .ports then .ports |= map(.published |= number) else . end
      # Swarm's format 3.9 has no pids limit (the engine enforces none for
      # services before 23.0); Compose applies it.
      | if .deploy.resources.limits then .deploy.resources.limits |= (cpus_as_string | del(.pids)) else . end
      | if .deploy.resources.reservations then .deploy.resources.reservations |= cpus_as_string else . end
  ))
