# Sourced by the provisioning scripts. private_apt_opts DIR sets PRIVATE_APT_OPTS: apt-get options
# that make apt use only the state under DIR (DIR/etc/sources.list, DIR/lists, DIR/cache) and
# never read or write the system's apt sources, lists, cache, status or lock.
private_apt_opts() {
  local dir="$1"
  PRIVATE_APT_OPTS=(
    -o "Dir::Etc::SourceList=$dir/etc/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$dir/lists"
    -o "Dir::Cache=$dir/cache"
    -o "Dir::State::status=/dev/null"
    -o "Debug::NoLocking=1"
    -o "APT::Sandbox::User=root"
  )
}
