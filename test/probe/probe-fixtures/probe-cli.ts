/** Runs `mpscope probe ARGS` from the sources (the tests run it inside a client namespace), exiting as the command would. */
import { main } from '../../../src/cli/main.js';

main(['probe', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
