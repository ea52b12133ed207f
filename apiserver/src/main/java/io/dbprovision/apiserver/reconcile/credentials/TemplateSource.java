package io.dbprovision.apiserver.reconcile.credentials;

/** One data key's template text, and the way to report a problem at an offset in it as line and column. */
record TemplateSource(String key, String text) {

    TemplateException error(int offset, String problem) {
        int clamped = Math.max(0, Math.min(offset, text.length()));
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < clamped; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = text.codePointCount(lineStart, clamped) + 1;
        return new TemplateException(key, "line " + line + ", column " + column + ": " + problem);
    }
}
