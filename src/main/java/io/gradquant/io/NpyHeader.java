package io.gradquant.io;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The dictionary of a .npy header: dtype descriptor, Fortran order and shape. {@link #parse}
 * reads the Python literal numpy writes, for example
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}; {@link #format} writes one.
 *
 * <p>The parser accepts only what a header can hold: a dict of string keys whose values are
 * strings, {@code True}/{@code False} or tuples of non-negative integers. It checks syntax only;
 * whether the dtype is supported is the caller's decision, so the caller can name the dtype it found.
 *
 * @param descr        the dtype descriptor, e.g. {@code <f4}
 * @param fortranOrder whether the data is in Fortran (column-major) order
 * @param shape        the dimensions; empty for a 0-d array
 */
public record NpyHeader(String descr, boolean fortranOrder, long[] shape) {
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");
    private static final int QUOTE_LIMIT = 200;

    /** Number of elements the shape holds (1 for a 0-d array). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape as Python writes a tuple: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    public static String shapeText(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringJoiner j = new StringJoiner(", ", "(", ")");
        for (long d : shape) {
            j.add(Long.toString(d));
        }
        return j.toString();
    }

    /** The header dictionary as numpy writes it, without padding or the final newline. */
    public String format() {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shapeText(shape) + ", }";
    }

    /**
     * Parses a header dictionary.
     *
     * @param text  the header text after the length field (trailing spaces and newline allowed)
     * @param where the file, for messages
     * @throws NpyFormatException if the text is not a dictionary with exactly the keys descr,
     *         fortran_order and shape, of the right kinds
     */
    public static NpyHeader parse(String text, String where) throws NpyFormatException {
        return new Parser(text, where).header();
    }

    /** A recursive-descent parser over the small subset of Python literals a header uses. */
    private static final class Parser {
        private final String text;
        private final String where;
        private int pos;

        Parser(String text, String where) {
            this.text = text;
            this.where = where;
        }

        NpyHeader header() throws NpyFormatException {
            Map<String, Object> dict = dict();
            skipSpace();
            if (pos != text.length()) {
                throw error("unexpected text after the closing '}'");
            }
            if (!dict.keySet().equals(KEYS)) {
                throw error("the keys must be exactly 'descr', 'fortran_order' and 'shape', found " + dict.keySet());
            }
            Object descr = dict.get("descr");
            if (descr instanceof Literal) {
                // well-formed, just not ours: say which dtype it is, as for any other wrong dtype
                throw new NpyFormatException(where + ": unsupported structured dtype " + descr
                        + ": only '<f4' (little-endian float32) is supported");
            }
            if (!(descr instanceof String)) {
                throw malformed("'descr' must be a string such as '<f4' (structured dtypes are not supported), found "
                        + describe(descr));
            }
            Object fortran = dict.get("fortran_order");
            if (!(fortran instanceof Boolean)) {
                throw malformed("'fortran_order' must be True or False, found " + describe(fortran));
            }
            Object shape = dict.get("shape");
            if (!(shape instanceof long[])) {
                throw malformed("'shape' must be a tuple of non-negative integers, found " + describe(shape));
            }
            return new NpyHeader((String) descr, (Boolean) fortran, (long[]) shape);
        }

        private Map<String, Object> dict() throws NpyFormatException {
            skipSpace();
            expect('{');
            Map<String, Object> entries = new HashMap<>();
            skipSpace();
            while (peek() != '}') {
                String key = string();
                skipSpace();
                expect(':');
                skipSpace();
                if (entries.put(key, value()) != null) {
                    throw error("key '" + key + "' appears twice");
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'");
                }
            }
            pos++;
            return entries;
        }

        private Object value() throws NpyFormatException {
            char c = peek();
            if (c == '\'' || c == '"') {
                return string();
            }
            if (c == '(') {
                return tuple();
            }
            if (text.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (c == '[' || c == '{') {
                // a list or dict value: a structured dtype; kept as text so the message can show it
                int start = pos;
                skipBalanced();
                return new Literal(text.substring(start, pos));
            }
            throw error("expected a string, True, False or a tuple");
        }

        /** A tuple of integers; Python needs the comma in a one-element tuple, so "(5)" is not one. */
        private Object tuple() throws NpyFormatException {
            int start = pos;
            expect('(');
            List<Long> items = new ArrayList<>();
            boolean comma = false;
            skipSpace();
            while (peek() != ')') {
                items.add(integer());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    comma = true;
                    skipSpace();
                } else if (peek() != ')') {
                    throw error("expected ',' or ')' in a tuple");
                }
            }
            pos++;
            if (items.size() == 1 && !comma) {
                return new Literal(text.substring(start, pos));
            }
            return items.stream().mapToLong(Long::longValue).toArray();
        }

        private long integer() throws NpyFormatException {
            int start = pos;
            if (peek() == '-') {
                throw error("negative dimension");
            }
            while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a non-negative integer");
            }
            String digits = text.substring(start, pos);
            if (peek() == 'L') {
                pos++; // Python 2 numpy wrote long dimensions as 3L
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw error("dimension " + digits + " is too large");
            }
        }

        private String string() throws NpyFormatException {
            char quote = peek();
            if (quote != '\'' && quote != '"') {
                throw error("expected a quoted string");
            }
            int end = text.indexOf(quote, pos + 1);
            if (end < 0) {
                throw error("unterminated string");
            }
            String s = text.substring(pos + 1, end);
            if (s.indexOf('\\') >= 0) {
                throw error("escape sequences are not supported in header strings");
            }
            pos = end + 1;
            return s;
        }

        private void skipBalanced() throws NpyFormatException {
            int depth = 0;
            do {
                char c = peek();
                if (c == '\'' || c == '"') {
                    string();
                    continue;
                }
                if (c == '[' || c == '(' || c == '{') {
                    depth++;
                } else if (c == ']' || c == ')' || c == '}') {
                    depth--;
                } else if (c == 0) {
                    throw error("unbalanced brackets");
                }
                pos++;
            } while (depth > 0);
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private void expect(char c) throws NpyFormatException {
            if (peek() != c) {
                throw error("expected '" + c + "'");
            }
            pos++;
        }

        /** The next character, or 0 at the end of the text. */
        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private NpyFormatException error(String what) {
            String found = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end of the header";
            return malformed(what + " at offset " + pos + " (found " + found + ")");
        }

        private NpyFormatException malformed(String what) {
            String shown = text.strip();
            if (shown.length() > QUOTE_LIMIT) {
                shown = shown.substring(0, QUOTE_LIMIT) + "...";
            }
            return new NpyFormatException(where + ": malformed .npy header: " + what + "; the header must be a"
                    + " dict like {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }; header was: " + shown);
        }

        private static String describe(Object value) {
            if (value instanceof String s) {
                return "'" + s + "'";
            }
            if (value instanceof long[] shape) {
                return shapeText(shape);
            }
            return String.valueOf(value);
        }
    }

    /** A header value kept as its source text, only so that an error message can quote it. */
    private record Literal(String source) {
        @Override
        public String toString() {
            return source;
        }
    }
}
