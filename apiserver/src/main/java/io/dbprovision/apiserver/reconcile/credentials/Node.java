package io.dbprovision.apiserver.reconcile.credentials;

import java.util.List;

/**
 * The parse tree, shaped as Go's {@code text/template/parse} nodes so that evaluation can follow Go's {@code exec.go}
 * step by step. Every node knows its offset in the template, for error messages.
 */
sealed interface Node {
    int pos();

    /** A sequence of nodes: the template, or the body of an {@code if}/{@code with} branch. */
    record ListNode(int pos, List<Node> nodes) implements Node {}

    /** Literal text, written as it is. */
    record Text(int pos, String text) implements Node {}

    /** {@code {{pipeline}}}: prints the pipeline's value unless the pipeline declares or assigns a variable. */
    record Action(int pos, Pipe pipe) implements Node {}

    /** {@code {{if}}}; an {@code {{else if}}} is an {@code If} alone in {@code elseList}, as in Go. */
    record If(int pos, Pipe pipe, ListNode list, ListNode elseList) implements Node {}

    /** {@code {{with}}}: like {@code if}, but the body runs with dot set to the pipeline's value. */
    record With(int pos, Pipe pipe, ListNode list, ListNode elseList) implements Node {}

    /** Commands joined by {@code |}, optionally declaring ({@code :=}) or assigning ({@code =}) one variable. */
    record Pipe(int pos, boolean isAssign, List<Variable> decl, List<Command> commands) implements Node {}

    /** One command of a pipeline: a function, field or value and its arguments. */
    record Command(int pos, List<Node> args) implements Node {}

    /** {@code .A.B}: fields of dot. */
    record Field(int pos, List<String> idents) implements Node {}

    /** {@code $x.A.B}: the first ident is the variable's name with its {@code $}. */
    record Variable(int pos, List<String> idents) implements Node {}

    /** {@code (pipeline).A} or {@code fn.A}: fields of something that is not dot or a variable. */
    record Chain(int pos, Node node, List<String> fields) implements Node {}

    /** A function's name. */
    record Identifier(int pos, String name) implements Node {}

    record Dot(int pos) implements Node {}

    record Nil(int pos) implements Node {}

    record Bool(int pos, boolean value) implements Node {}

    /** An integer constant; {@code text} as written, for messages. */
    record Number(int pos, long value, String text) implements Node {}

    record Str(int pos, String value) implements Node {}

    /** Parse-time only: the {@code {{end}}} that closes a list. */
    record End(int pos) implements Node {}

    /** Parse-time only: the {@code {{else}}} that closes a list. */
    record Else(int pos) implements Node {}
}
