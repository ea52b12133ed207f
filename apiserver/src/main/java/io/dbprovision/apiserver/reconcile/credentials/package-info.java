/**
 * Renders a DatabaseUser's {@code passwordSecret.secretTemplate.data} (Go {@code text/template} strings written for the
 * seed operator) in Java, as Go renders them: {@link io.dbprovision.apiserver.reconcile.credentials.SecretTemplate}
 * parses once and renders per reconcile, {@link io.dbprovision.apiserver.reconcile.credentials.TemplateValues} is what a
 * template can read.
 *
 * <p>Supported as in Go (1.23 semantics): text, trim markers, comments, {@code if}/{@code else if}/{@code else},
 * {@code with}/{@code else with}, variables ({@code $}, {@code $x :=}, {@code $x =}) with Go's scopes, pipelines (the
 * piped value is the last argument), parentheses, field chains, string/raw/character/integer literals, the seed's
 * functions ({@code urlEncode urlPathEncode base64Encode base64Decode upper lower title trim trimPrefix trimSuffix
 * replace quote squote default toJson join}) and Go's {@code and or not eq ne lt le gt ge len print println printf}.
 * Argument counts and types are checked with Go's rules and errors.
 *
 * <p>Refused on purpose, with a clear error, although Go accepts them: {@code range}, {@code template},
 * {@code define}, {@code block} (and so {@code break}, {@code continue}); {@code index slice call html js urlquery};
 * floating-point and complex constants; printf verbs other than {@code %s %d %v %q}, and flags or widths;
 * {@code %q} of an integer or of the whole data; string literals and {@code base64Decode} results that are not UTF-8
 * (a rendered value is a Java string, not bytes).
 *
 * <p>The golden table in the tests was checked against Go's own text/template with the seed's functions, and random
 * templates were compared with Go's renderer; they differ only where listed above.
 */
package io.dbprovision.apiserver.reconcile.credentials;
