export const USAGE = `Operate the country configuration: layers, versions, rollback.

Usage: npm run config -- <command> [arguments] [options]

Commands
  list                          the layers that have a current version
  get <layer>                   the current document of a layer (--version N for an older one;
                                --effective for what a country gets after layering, with explain;
                                --out <path> writes it to a file that put takes back)
  put <layer> --file <path>     validate a JSON document and make it the layer's new version
                                (--file - reads standard input); a file 'get' wrote is refused
                                if the layer changed since
  validate <layer> --file <p>   check a document without writing it (needs no AWS access)
  history <layer>               the versions of a layer, newest first (--limit N), and its
                                latest staged rollout: each stage and why it stopped
  rollback <layer> --to <N>     make version N of the layer current again
  rollout <layer> --file <p> --stages "JP; DE,FR; *" --bake 10m
                                write a new version and expose it stage by stage (";" between
                                stages, "," between countries, "*" = every remaining country of
                                the layer, last only); each stage bakes, then the next starts; a
                                watched alarm in ALARM rolls it back; the last stage makes it current
  alarm <name> <ALARM|OK>       set a CloudWatch alarm's state (with --local: the local stack's,
                                which rollouts watch as 'config-errors')

Layers
  default, group:EU, group:EUROZONE (or EU, EUROZONE), country:DE (or DE, de)

Options
  --table <name>                the config table (default: $CONFIG_TABLE_NAME; 'config' locally)
  --local                       use the stack 'npm start' runs (reads .local/endpoints.json)
  --expect-version <N|none>     put/rollback only if the layer is still at version N
                                ('none': only if it has no version yet); default: the current one
  --message <text>              why: kept with the version (put) or the pointer (rollback)
  --author <name>               who: default $CONFIG_AUTHOR, else your user name
  --json                        machine-readable output
  -h, --help                    this text

Where it connects
  Local stack: AWS_ENDPOINT_URL_DYNAMODB=<the DynamoDB URL npm start prints> (or --local);
    table 'config', dummy credentials and region us-east-1 unless you set your own.
  AWS: the default credential chain (AWS_PROFILE, SSO, environment, instance role) and region;
    the table from --table or CONFIG_TABLE_NAME.

Exit codes
  0 done   1 refused (invalid document, conflict, unknown version, rollout in progress,
           a stage naming a country outside the layer)   2 usage error
  3 DynamoDB or AWS failed (unreachable, no credentials, no such table)
`;
