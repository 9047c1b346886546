// Preloaded into the stack child (`--import`): the chaos run holds the other end of the child's
// stdin, so when the run dies in any way, even by SIGKILL where no exit handler runs, stdin
// ends and the child goes too, instead of living on with its ports and the data directory.
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
