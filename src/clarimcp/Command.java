package clarimcp;

import java.util.Arrays;

/**
 * The parsed command line: what to run, and whether as a dry run (--dry-run first, before the
 * server or `call`). No arguments: the MCP server on stdio. Parsed with a plain switch; anything
 * unknown or out of place is an IllegalArgumentException saying what.
 */
record Command(Mode mode, boolean dryRun, String tool, String arguments) {
    enum Mode { SERVE, HELP, VERSION, CHECK, CALL }

    static Command parse(String[] all) {
        boolean dryRun = all.length > 0 && all[0].equals("--dry-run");
        String[] args = dryRun ? Arrays.copyOfRange(all, 1, all.length) : all;
        if (args.length == 0) return new Command(Mode.SERVE, dryRun, null, null);
        Mode mode = switch (args[0]) {
            case "--help", "-h" -> Mode.HELP;
            case "--version" -> Mode.VERSION;
            case "--check" -> Mode.CHECK;
            case "call" -> Mode.CALL;
            default -> throw new IllegalArgumentException("unknown option '" + printable(args[0]) + "'");
        };
        if (dryRun && mode != Mode.CALL) throw new IllegalArgumentException("--dry-run applies to the server and to call only");
        if (mode != Mode.CALL) {
            if (args.length > 1) throw new IllegalArgumentException("unexpected argument '" + printable(args[1]) + "' after " + args[0]);
            return new Command(mode, false, null, null);
        }
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("usage: call TOOL ['{\"json\":\"arguments\"}']");
        }
        return new Command(Mode.CALL, dryRun, args[1], args.length == 3 ? args[2] : "{}");
    }

    /** An argument as quoted back: printable ASCII only, short. */
    private static String printable(String s) {
        String clean = s.codePoints().map(c -> c >= 0x20 && c < 0x7f ? c : '?')
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}
