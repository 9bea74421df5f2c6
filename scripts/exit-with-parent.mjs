// A Node preload (`node --import <this file> ...`) for the child processes that tests and benchmarks start: the
// child ends when the process that started it is gone, even if that one died by SIGKILL and could not clean up.
//
// It watches the pid in EXIT_WITH_PID (set by the spawner when a wrapper such as `/usr/bin/time` sits in between),
// else its parent's pid, twice a second, on an unreferenced timer so it never keeps the child alive. When the
// watched process is gone the child gets SIGTERM, so that its own shutdown (finalizers, its own children) runs;
// if it is still there a few seconds later, it exits.
/* global clearInterval, process, setInterval, setTimeout */
const watchedPid = Number(process.env["EXIT_WITH_PID"] ?? process.ppid)
// Grandchildren watch their own parent, not this one's.
delete process.env["EXIT_WITH_PID"]

const isAlive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === "EPERM"
  }
}

if (Number.isInteger(watchedPid) && watchedPid > 1) {
  const watch = setInterval(() => {
    if (isAlive(watchedPid)) return
    clearInterval(watch)
    setTimeout(() => process.exit(129), 3_000).unref()
    process.kill(process.pid, "SIGTERM")
  }, 500)
  watch.unref()
}
