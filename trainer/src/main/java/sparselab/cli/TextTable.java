package sparselab.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line's plain tables ({@code runs}, {@code diff}): each column as wide as its longest value (header
 * included), at most {@code max} characters, a longer value clipped to end in "…"; columns two spaces apart, so that a
 * long value never runs into its neighbour or shifts the columns after it. The last column is not padded.
 */
public final class TextTable {
    private TextTable() {}

    /** The rows (the first is the header) as lines; the columns in {@code right} are right-aligned (numbers). */
    public static List<String> lines(List<List<String>> rows, Set<Integer> right, int max) {
        int columns = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] width = new int[columns];
        List<List<String>> cells = new ArrayList<>();
        for (List<String> row : rows) {
            List<String> clipped = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                String v = clip(String.valueOf(row.get(i)), max);
                clipped.add(v);
                width[i] = Math.max(width[i], length(v));
            }
            cells.add(clipped);
        }
        List<String> lines = new ArrayList<>();
        for (List<String> row : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String v = row.get(i);
                String pad = " ".repeat(width[i] - length(v));
                if (i > 0) sb.append("  ");
                if (right.contains(i)) sb.append(pad).append(v);
                else sb.append(v).append(i == row.size() - 1 ? "" : pad);
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    /** "1 run", "2 runs", "1,234 events": a count and its noun, in the plural unless the count is one. */
    static String count(long n, String noun) {
        return String.format(java.util.Locale.ROOT, "%,d %s", n, n == 1 ? noun : noun + "s");
    }

    /** {@code v} when at most {@code max} characters, else its first {@code max - 1} and "…". */
    static String clip(String v, int max) {
        if (length(v) <= max) return v;
        return v.substring(0, v.offsetByCodePoints(0, max - 1)) + "…";
    }

    private static int length(String v) { return v.codePointCount(0, v.length()); }
}
