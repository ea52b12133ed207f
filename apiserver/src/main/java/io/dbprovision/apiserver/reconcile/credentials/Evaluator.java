package io.dbprovision.apiserver.reconcile.credentials;

import io.dbprovision.apiserver.reconcile.credentials.Function.Param;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes one key's parse tree the way Go's {@code text/template/exec.go} does: the same order of evaluation, the
 * same variable scopes, the pipeline's value passed as the last argument, the same checks of argument counts and
 * types and the same errors (in wording close to Go's, never showing a value). Errors carry the position of the node
 * being evaluated. Recursion follows the tree, whose depth the parser bounds.
 */
final class Evaluator {
    /** Go's missingVal: the first command of a pipeline has no piped-in value. */
    private static final Value MISSING = null;

    private record Variable(String name, Value value) {}

    private final TemplateSource source;
    private final Budget budget;
    private final List<Variable> vars = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private int at;

    private Evaluator(TemplateSource source, Budget budget) {
        this.source = source;
        this.budget = budget;
    }

    static String execute(TemplateSource source, Node.ListNode tree, Value.Root root, Budget budget) {
        Evaluator evaluator = new Evaluator(source, budget);
        evaluator.vars.add(new Variable("$", root));
        try {
            evaluator.walk(root, tree);
        } catch (FunctionError e) {
            throw source.error(evaluator.at, e.getMessage());
        }
        return evaluator.out.toString();
    }

    private void walk(Value dot, Node node) {
        at = node.pos();
        switch (node) {
            case Node.Action action -> {
                Value value = evalPipeline(dot, action.pipe());
                if (action.pipe().decl().isEmpty()) {
                    String text = GoFormat.printValue(value);
                    budget.output(text);
                    out.append(text);
                }
            }
            case Node.If ifNode -> walkIfOrWith(false, dot, ifNode.pipe(), ifNode.list(), ifNode.elseList());
            case Node.With with -> walkIfOrWith(true, dot, with.pipe(), with.list(), with.elseList());
            case Node.ListNode list -> list.nodes().forEach(child -> walk(dot, child));
            case Node.Text text -> {
                budget.output(text.text());
                out.append(text.text());
            }
            default -> throw error(node, "unknown node");
        }
    }

    private void walkIfOrWith(boolean isWith, Value dot, Node.Pipe pipe, Node.ListNode list, Node.ListNode elseList) {
        int mark = vars.size();
        Value value = evalPipeline(dot, pipe);
        if (Value.isTrue(value)) {
            walk(isWith ? value : dot, list);
        } else if (elseList != null) {
            walk(dot, elseList);
        }
        vars.subList(mark, vars.size()).clear();
    }

    private Value evalPipeline(Value dot, Node.Pipe pipe) {
        at = pipe.pos();
        Value value = MISSING;
        for (Node.Command command : pipe.commands()) {
            value = evalCommand(dot, command, value);
        }
        for (Node.Variable variable : pipe.decl()) {
            String name = variable.idents().get(0);
            if (pipe.isAssign()) {
                setVar(variable, name, value);
            } else {
                vars.add(new Variable(name, value));
            }
        }
        return value;
    }

    private Value evalCommand(Value dot, Node.Command command, Value piped) {
        Node first = command.args().get(0);
        switch (first) {
            case Node.Field field -> {
                return evalFieldChain(dot, dot, field, field.idents(), command.args(), piped);
            }
            case Node.Chain chain -> {
                return evalChain(dot, chain, command.args(), piped);
            }
            case Node.Identifier identifier -> {
                return evalFunction(dot, identifier, command.args(), piped);
            }
            case Node.Pipe pipe -> {
                notAFunction(pipe, command.args(), piped);
                return evalPipeline(dot, pipe);
            }
            case Node.Variable variable -> {
                return evalVariable(dot, variable, command.args(), piped);
            }
            default -> {}
        }
        at = first.pos();
        notAFunction(first, command.args(), piped);
        return switch (first) {
            case Node.Bool b -> Value.Bool.of(b.value());
            case Node.Dot d -> dot;
            case Node.Nil n -> throw error(n, "nil is not a command");
            case Node.Number n -> Value.Int.of(n.value());
            case Node.Str s -> new Value.Str(s.value());
            default -> throw error(first, "can't evaluate command");
        };
    }

    private void notAFunction(Node node, List<Node> args, Value piped) {
        if ((args != null && args.size() > 1) || piped != MISSING) {
            throw error(node, "can't give argument to non-function");
        }
    }

    private Value evalChain(Value dot, Node.Chain chain, List<Node> args, Value piped) {
        if (chain.node() instanceof Node.Nil) {
            throw error(chain, "indirection through explicit nil");
        }
        Value receiver = evalArg(dot, null, chain.node());
        return evalFieldChain(dot, receiver, chain, chain.fields(), args, piped);
    }

    private Value evalVariable(Value dot, Node.Variable variable, List<Node> args, Value piped) {
        at = variable.pos();
        Value value = varValue(variable, variable.idents().get(0));
        if (variable.idents().size() == 1) {
            notAFunction(variable, args, piped);
            return value;
        }
        List<String> fields = variable.idents().subList(1, variable.idents().size());
        return evalFieldChain(dot, value, variable, fields, args, piped);
    }

    private Value evalFieldChain(
            Value dot, Value receiver, Node node, List<String> idents, List<Node> args, Value piped) {
        int last = idents.size() - 1;
        for (int i = 0; i < last; i++) {
            receiver = evalField(idents.get(i), node, null, MISSING, receiver);
        }
        return evalField(idents.get(last), node, args, piped, receiver);
    }

    private Value evalField(String name, Node node, List<Node> args, Value piped, Value receiver) {
        at = node.pos();
        if (receiver == Value.Nil.NIL) {
            return Value.Nil.NIL;
        }
        boolean hasArgs = (args != null && args.size() > 1) || piped != MISSING;
        if (receiver instanceof Value.Root root) {
            Value field = root.field(name);
            if (field != null) {
                if (hasArgs) {
                    throw error(node, GoQuote.name(name) + " has arguments but cannot be invoked as function");
                }
                return field;
            }
            throw error(
                    node,
                    "can't evaluate field " + GoQuote.name(name) + " in type " + root.goType() + "; its fields are ."
                            + String.join(", .", Value.Root.FIELDS));
        }
        throw error(node, "can't evaluate field " + GoQuote.name(name) + " in type " + receiver.goType());
    }

    private Value evalFunction(Value dot, Node.Identifier identifier, List<Node> args, Value piped) {
        at = identifier.pos();
        Function function = FunctionTable.get(identifier.name());
        List<Node> callArgs = args == null ? List.of() : args.subList(1, args.size());
        return evalCall(dot, function, identifier, callArgs, piped);
    }

    private Value evalCall(Value dot, Function function, Node node, List<Node> args, Value piped) {
        String name = function.name();
        int count = args.size() + (piped != MISSING ? 1 : 0);
        int fixed = function.fixed().size();
        if (function.variadic() != null) {
            if (count < fixed) {
                throw error(node, "wrong number of args for " + name + ": want at least " + fixed + " got " + count);
            }
        } else if (count != fixed) {
            throw error(node, "wrong number of args for " + name + ": want " + fixed + " got " + count);
        }
        if (name.equals("and") || name.equals("or")) {
            return andOr(dot, name.equals("or"), args, piped);
        }
        List<Value> argv = new ArrayList<>(count);
        for (int i = 0; i < args.size(); i++) {
            argv.add(evalArg(dot, function.paramAt(i), args.get(i)));
        }
        if (piped != MISSING) {
            argv.add(validateType(piped, function.paramAt(count - 1), node));
        }
        at = node.pos();
        long work = 0;
        for (Value value : argv) {
            work += value instanceof Value.Str s ? s.value().length() : 0;
        }
        budget.work(work);
        Value result;
        try {
            result = function.body().apply(argv);
        } catch (FunctionError e) {
            throw error(node, "error calling " + name + ": " + e.getMessage());
        }
        if (result instanceof Value.Str s) {
            budget.work(s.value().length());
        }
        return result;
    }

    /** Go 1.18's and/or: evaluate arguments in order, stop at the first that decides, return it (not a bool). */
    private Value andOr(Value dot, boolean isOr, List<Node> args, Value piped) {
        Value value = Value.Nil.NIL;
        for (Node arg : args) {
            value = evalArg(dot, Param.ANY, arg);
            if (Value.isTrue(value) == isOr) {
                return value;
            }
        }
        return piped != MISSING ? piped : value;
    }

    /** Go's evalArg: literals are checked against the parameter's type as literals, anything else as values. */
    private Value evalArg(Value dot, Param param, Node node) {
        at = node.pos();
        switch (node) {
            case Node.Dot d -> {
                return validateType(dot, param, node);
            }
            case Node.Nil n -> {
                if (param == Param.STRING) {
                    throw error(node, "cannot assign nil to string");
                }
                return Value.Nil.NIL;
            }
            case Node.Field field -> {
                return validateType(evalFieldChain(dot, dot, field, field.idents(), null, MISSING), param, node);
            }
            case Node.Variable variable -> {
                return validateType(evalVariable(dot, variable, null, MISSING), param, node);
            }
            case Node.Pipe pipe -> {
                return validateType(evalPipeline(dot, pipe), param, node);
            }
            case Node.Identifier identifier -> {
                return validateType(evalFunction(dot, identifier, null, MISSING), param, node);
            }
            case Node.Chain chain -> {
                return validateType(evalChain(dot, chain, null, MISSING), param, node);
            }
            default -> {}
        }
        Value literal = switch (node) {
            case Node.Str s -> new Value.Str(s.value());
            case Node.Number n -> Value.Int.of(n.value());
            case Node.Bool b -> Value.Bool.of(b.value());
            default -> throw error(node, "can't handle argument");
        };
        if (param == Param.STRING && !(literal instanceof Value.Str)) {
            throw error(node, "expected string; found " + describeLiteral(node));
        }
        if (param == Param.STRING_LIST) {
            throw error(node, "can't handle " + describeLiteral(node) + " for arg of type []string");
        }
        return literal;
    }

    private static String describeLiteral(Node node) {
        return switch (node) {
            case Node.Number n -> n.text().length() > 40 ? "a number" : n.text();
            case Node.Bool b -> Boolean.toString(b.value());
            default -> "a string literal";
        };
    }

    /** Go's validateType: a value passed where a parameter of some type is expected. */
    private Value validateType(Value value, Param param, Node node) {
        if (param == null || param == Param.ANY) {
            return value;
        }
        if (value == Value.Nil.NIL) {
            if (param == Param.STRING_LIST) {
                return value;
            }
            throw error(node, "invalid value; expected " + param.goType);
        }
        if (param == Param.STRING && value instanceof Value.Str) {
            return value;
        }
        throw error(node, "wrong type for value; expected " + param.goType + "; got " + value.goType());
    }

    private Value varValue(Node node, String name) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(name)) {
                return vars.get(i).value();
            }
        }
        throw error(node, "undefined variable: " + GoQuote.name(name));
    }

    private void setVar(Node node, String name, Value value) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(name)) {
                vars.set(i, new Variable(name, value));
                return;
            }
        }
        throw error(node, "undefined variable: " + GoQuote.name(name));
    }

    private TemplateException error(Node node, String problem) {
        return source.error(node.pos(), problem);
    }
}
