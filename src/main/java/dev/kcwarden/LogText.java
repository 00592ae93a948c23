package dev.kcwarden;

/** Text an admin or a client typed, made safe to put into a log line or an error answer. */
public final class LogText {

    private LogText() {}

    /**
     * Control characters and the Unicode line and paragraph separators (U+2028, U+2029) shown as '?', and at most
     * {@code max} characters (then "..."): no forged log lines.
     */
    public static String printable(String text, int max) {
        String shown = text.length() > max ? text.substring(0, max) + "..." : text;
        return shown.codePoints()
                .map(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029 ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }
}
