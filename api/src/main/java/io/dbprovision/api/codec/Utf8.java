package io.dbprovision.api.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8 decoding: malformed bytes are an error naming their offset, never replaced silently. */
final class Utf8 {
    private Utf8() {}

    static String decode(byte[] bytes, Limits limits) {
        if (bytes.length > limits.maxBytes()) {
            throw tooLarge(bytes.length, limits);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            CharBuffer chars = decoder.decode(in);
            String text = chars.toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new CodecException("invalid UTF-8 in the document near byte offset " + firstBadByte(bytes));
        }
    }

    /**
     * Refuses text with a lone UTF-16 surrogate. Strict decoding keeps them out of the bytes, but JSON and YAML
     * escapes such as <code>"&#92;ud800"</code> can still produce one. It has no UTF-8 form: storing it would
     * silently turn it into '?' (protobuf), and Go clients would read U+FFFD.
     *
     * @param where the start of the message, naming the string, such as {@code invalid JSON: the string at line 3}
     */
    static void requireNoUnpairedSurrogate(String text, String where) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new CodecException(where + " contains the unpaired UTF-16 surrogate "
                        + String.format("\\u%04x", (int) c) + ", which is not a character; escape a character "
                        + "outside the Basic Multilingual Plane as a surrogate pair");
            }
        }
    }

    static CodecException tooLarge(long size, Limits limits) {
        return new CodecException(
                "the document is too large: " + size + " bytes, at most " + limits.maxBytes() + " are accepted");
    }

    private static int firstBadByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }
}
