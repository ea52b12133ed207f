package io.dbprovision.apiserver.reconcile.credentials;

import io.dbprovision.apiserver.reconcile.credentials.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the parse tree from tokens following Go's {@code text/template/parse/parse.go} production by production, so
 * that what Go accepts or refuses at parse time is accepted or refused here too: functions must exist, variables must
 * be declared, later pipeline stages must be executable. What Go supports and secret templates do not ({@code range},
 * {@code template}, {@code define}, {@code block}, {@code break}, {@code continue}) is refused with a message saying so.
 */
final class Parser {
    private final TemplateSource source;
    private final List<Token> tokens;
    private final List<String> vars = new ArrayList<>(List.of("$"));
    private int index;
    private int depth;

    private Parser(TemplateSource source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    static Node.ListNode parse(TemplateSource source) {
        return new Parser(source, Lexer.lex(source)).parseTemplate();
    }

    private Node.ListNode parseTemplate() {
        int pos = peek().pos();
        List<Node> nodes = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            Node node = textOrAction();
            if (node instanceof Node.End || node instanceof Node.Else) {
                throw source.error(node.pos(), "unexpected " + (node instanceof Node.End ? "{{end}}" : "{{else}}"));
            }
            nodes.add(node);
        }
        return new Node.ListNode(pos, List.copyOf(nodes));
    }

    /** The nodes up to the {@code {{end}}} or {@code {{else}}} that closes them, which is returned with them. */
    private record ListUntil(Node.ListNode list, Node closedBy) {}

    private ListUntil itemList() {
        int pos = peekNonSpace().pos();
        List<Node> nodes = new ArrayList<>();
        while (peekNonSpace().kind() != Kind.EOF) {
            Node node = textOrAction();
            if (node instanceof Node.End || node instanceof Node.Else) {
                return new ListUntil(new Node.ListNode(pos, List.copyOf(nodes)), node);
            }
            nodes.add(node);
        }
        throw source.error(peek().pos(), "unexpected end of template: an {{if}} or {{with}} has no {{end}}");
    }

    private Node textOrAction() {
        Token token = nextNonSpace();
        return switch (token.kind()) {
            case TEXT -> new Node.Text(token.pos(), token.text());
            case LEFT_DELIM -> action();
            default -> throw unexpected(token, "input");
        };
    }

    private Node action() {
        Token token = nextNonSpace();
        switch (token.kind()) {
            case ELSE:
                return elseControl();
            case END:
                return new Node.End(expect(Kind.RIGHT_DELIM, "end").pos());
            case IF:
                Control ifControl = parseControl("if");
                return new Node.If(ifControl.pos, ifControl.pipe, ifControl.list, ifControl.elseList);
            case WITH:
                Control withControl = parseControl("with");
                return new Node.With(withControl.pos, withControl.pipe, withControl.list, withControl.elseList);
            case RANGE:
                throw source.error(token.pos(), "{{range}} is not supported in secret templates: no value is a list");
            case BREAK, CONTINUE:
                throw source.error(
                        token.pos(),
                        "{{" + token.text() + "}} is only allowed inside {{range}}, which"
                                + " secret templates do not support");
            case TEMPLATE, DEFINE, BLOCK:
                throw source.error(
                        token.pos(),
                        "{{" + token.text() + "}} is not supported in secret templates:"
                                + " each data key is one self-contained template");
            default:
                backup();
                int pos = peek().pos();
                return new Node.Action(pos, pipeline("command", Kind.RIGHT_DELIM));
        }
    }

    private record Control(int pos, Node.Pipe pipe, Node.ListNode list, Node.ListNode elseList) {}

    private Control parseControl(String context) {
        int varsInScope = vars.size();
        enterNesting();
        try {
            Node.Pipe pipe = pipeline(context, Kind.RIGHT_DELIM);
            ListUntil body = itemList();
            Node.ListNode elseList = null;
            if (body.closedBy() instanceof Node.Else elseNode) {
                // {{else if …}} and {{else with …}} are {{else}}{{if …}}…{{end}} with the inner {{end}} implied.
                if (context.equals("if") && peek().kind() == Kind.IF) {
                    next();
                    Control inner = parseControl("if");
                    elseList = new Node.ListNode(
                            elseNode.pos(), List.of(new Node.If(inner.pos, inner.pipe, inner.list, inner.elseList)));
                } else if (context.equals("with") && peek().kind() == Kind.WITH) {
                    next();
                    Control inner = parseControl("with");
                    elseList = new Node.ListNode(
                            elseNode.pos(), List.of(new Node.With(inner.pos, inner.pipe, inner.list, inner.elseList)));
                } else {
                    ListUntil elseBody = itemList();
                    if (!(elseBody.closedBy() instanceof Node.End)) {
                        throw source.error(elseBody.closedBy().pos(), "expected {{end}}; found {{else}}");
                    }
                    elseList = elseBody.list();
                }
            }
            return new Control(pipe.pos(), pipe, body.list(), elseList);
        } finally {
            // Variables declared in the control or its branches go out of scope at its {{end}}.
            vars.subList(varsInScope, vars.size()).clear();
            depth--;
        }
    }

    private Node elseControl() {
        Token peek = peekNonSpace();
        if (peek.kind() == Kind.IF || peek.kind() == Kind.WITH) {
            return new Node.Else(peek.pos());
        }
        return new Node.Else(expect(Kind.RIGHT_DELIM, "else").pos());
    }

    private Node.Pipe pipeline(String context, Kind end) {
        int pos = peekNonSpace().pos();
        List<Node.Variable> decl = new ArrayList<>();
        boolean isAssign = false;
        Token variable = peekNonSpace();
        if (variable.kind() == Kind.VARIABLE) {
            int atVariable = index;
            next();
            Token afterVariable = peekNonSpace();
            if (afterVariable.kind() == Kind.ASSIGN || afterVariable.kind() == Kind.DECLARE) {
                isAssign = afterVariable.kind() == Kind.ASSIGN;
                nextNonSpace();
                decl.add(new Node.Variable(variable.pos(), List.of(variable.text())));
                vars.add(variable.text());
            } else if (afterVariable.kind() == Kind.CHAR && afterVariable.text().equals(",")) {
                throw source.error(afterVariable.pos(), "too many declarations in " + context);
            } else {
                index = atVariable;
            }
        }
        List<Node.Command> commands = new ArrayList<>();
        while (true) {
            Token token = nextNonSpace();
            if (token.kind() == end) {
                checkPipeline(pos, commands, context);
                return new Node.Pipe(pos, isAssign, List.copyOf(decl), List.copyOf(commands));
            }
            switch (token.kind()) {
                case BOOL,
                        CHAR_CONSTANT,
                        DOT,
                        FIELD,
                        IDENTIFIER,
                        NUMBER,
                        NIL,
                        RAW_STRING,
                        STRING,
                        VARIABLE,
                        LEFT_PAREN -> {
                    backup();
                    commands.add(command());
                }
                default -> throw unexpected(token, context);
            }
        }
    }

    private void checkPipeline(int pos, List<Node.Command> commands, String context) {
        if (commands.isEmpty()) {
            throw source.error(pos, "missing value for " + context);
        }
        for (int i = 1; i < commands.size(); i++) {
            Node first = commands.get(i).args().get(0);
            if (first instanceof Node.Bool
                    || first instanceof Node.Dot
                    || first instanceof Node.Nil
                    || first instanceof Node.Number
                    || first instanceof Node.Str) {
                throw source.error(first.pos(), "non executable command in pipeline stage " + (i + 1));
            }
        }
    }

    private Node.Command command() {
        int pos = peekNonSpace().pos();
        List<Node> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Token token = next();
            if (token.kind() == Kind.SPACE) {
                continue;
            }
            if (token.kind() == Kind.RIGHT_DELIM || token.kind() == Kind.RIGHT_PAREN) {
                backup();
            } else if (token.kind() != Kind.PIPE) {
                throw unexpected(token, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw source.error(pos, "empty command");
        }
        return new Node.Command(pos, List.copyOf(args));
    }

    private Node operand() {
        Node node = term();
        if (node == null || peek().kind() != Kind.FIELD) {
            return node;
        }
        int chainPos = peek().pos();
        List<String> fields = new ArrayList<>();
        while (peek().kind() == Kind.FIELD) {
            fields.add(next().text().substring(1));
        }
        return switch (node) {
            case Node.Field field -> new Node.Field(field.pos(), concat(field.idents(), fields));
            case Node.Variable variable -> new Node.Variable(variable.pos(), concat(variable.idents(), fields));
            case Node.Bool b -> throw source.error(chainPos, "unexpected . after term");
            case Node.Str s -> throw source.error(chainPos, "unexpected . after term");
            case Node.Number n -> throw source.error(chainPos, "unexpected . after term");
            case Node.Nil n -> throw source.error(chainPos, "unexpected . after term");
            case Node.Dot d -> throw source.error(chainPos, "unexpected . after term");
            default -> new Node.Chain(chainPos, node, List.copyOf(fields));
        };
    }

    private Node term() {
        Token token = nextNonSpace();
        switch (token.kind()) {
            case IDENTIFIER:
                FunctionTable.checkDefined(token.text(), source, token.pos());
                return new Node.Identifier(token.pos(), token.text());
            case DOT:
                return new Node.Dot(token.pos());
            case NIL:
                return new Node.Nil(token.pos());
            case VARIABLE:
                if (!vars.contains(token.text())) {
                    throw source.error(token.pos(), "undefined variable \"" + GoQuote.name(token.text()) + "\"");
                }
                return new Node.Variable(token.pos(), List.of(token.text()));
            case FIELD:
                return new Node.Field(token.pos(), List.of(token.text().substring(1)));
            case BOOL:
                return new Node.Bool(token.pos(), token.text().equals("true"));
            case NUMBER, CHAR_CONSTANT:
                try {
                    long value = token.kind() == Kind.NUMBER
                            ? GoLiterals.parseInteger(token.text())
                            : GoLiterals.unquoteChar(token.text());
                    return new Node.Number(token.pos(), value, token.text());
                } catch (GoLiterals.LiteralException e) {
                    throw source.error(token.pos(), e.getMessage());
                }
            case LEFT_PAREN:
                enterNesting();
                try {
                    return pipeline("parenthesized pipeline", Kind.RIGHT_PAREN);
                } finally {
                    depth--;
                }
            case STRING, RAW_STRING:
                try {
                    return new Node.Str(token.pos(), GoLiterals.unquoteString(token.text()));
                } catch (GoLiterals.LiteralException e) {
                    throw source.error(token.pos(), e.getMessage());
                }
            default:
                backup();
                return null;
        }
    }

    private void enterNesting() {
        if (++depth > Limits.MAX_NESTING) {
            throw source.error(
                    peek().pos(),
                    "nested too deeply: more than " + Limits.MAX_NESTING
                            + " levels of {{if}}, {{with}} and parentheses");
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

    private Token expect(Kind kind, String context) {
        Token token = nextNonSpace();
        if (token.kind() != kind) {
            throw unexpected(token, context);
        }
        return token;
    }

    private TemplateException unexpected(Token token, String context) {
        return source.error(token.pos(), "unexpected " + token.describe() + " in " + context);
    }

    private Token next() {
        return tokens.get(Math.min(index++, tokens.size() - 1));
    }

    private Token peek() {
        return tokens.get(Math.min(index, tokens.size() - 1));
    }

    private void backup() {
        index--;
    }

    private Token nextNonSpace() {
        Token token;
        do {
            token = next();
        } while (token.kind() == Kind.SPACE);
        return token;
    }

    private Token peekNonSpace() {
        Token token = nextNonSpace();
        backup();
        return token;
    }
}
