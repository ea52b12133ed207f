package io.dbprovision.apiserver.reconcile.credentials;

import java.util.List;

/**
 * For admission only: finds a field of the data that does not exist ({@code .Passwrod}) where dot is certainly the
 * data, so a typo is refused when the template is written rather than when the Secret is rendered. Go reports it only
 * when the action runs, so this is stricter than Go for actions on branches that never run; rendering does not use it.
 */
final class FieldCheck {
    private final TemplateSource source;
    private boolean dollarRedeclared;

    private FieldCheck(TemplateSource source) {
        this.source = source;
    }

    static void check(TemplateSource source, Node.ListNode tree) {
        new FieldCheck(source).walk(tree, true);
    }

    /** {@code dotIsData}: whether dot is the data here (false inside a {@code with}, where dot is its value). */
    private void walk(Node node, boolean dotIsData) {
        switch (node) {
            case Node.ListNode list -> list.nodes().forEach(child -> walk(child, dotIsData));
            case Node.Action action -> walk(action.pipe(), dotIsData);
            case Node.If ifNode -> {
                walk(ifNode.pipe(), dotIsData);
                walk(ifNode.list(), dotIsData);
                walkElse(ifNode.elseList(), dotIsData);
            }
            case Node.With with -> {
                walk(with.pipe(), dotIsData);
                walk(with.list(), false);
                walkElse(with.elseList(), dotIsData);
            }
            case Node.Pipe pipe -> {
                pipe.commands().forEach(command -> walk(command, dotIsData));
                if (pipe.decl().stream().anyMatch(v -> v.idents().get(0).equals("$"))) {
                    dollarRedeclared = true;
                }
            }
            case Node.Command command -> command.args().forEach(arg -> walk(arg, dotIsData));
            case Node.Chain chain -> walk(chain.node(), dotIsData);
            case Node.Field field -> {
                if (dotIsData) {
                    checkDataFields(field, field.idents());
                }
            }
            case Node.Variable variable -> {
                List<String> idents = variable.idents();
                if (idents.get(0).equals("$") && idents.size() > 1 && !dollarRedeclared) {
                    checkDataFields(variable, idents.subList(1, idents.size()));
                }
            }
            default -> {}
        }
    }

    private void walkElse(Node.ListNode elseList, boolean dotIsData) {
        if (elseList != null) {
            walk(elseList, dotIsData);
        }
    }

    private void checkDataFields(Node node, List<String> idents) {
        String type = Value.Root.fieldType(idents.get(0));
        if (type == null) {
            throw source.error(
                    node.pos(),
                    "field ." + GoQuote.name(idents.get(0)) + " does not exist; the fields are ."
                            + String.join(", .", Value.Root.FIELDS));
        }
        if (idents.size() > 1) {
            throw source.error(node.pos(), "can't evaluate field " + GoQuote.name(idents.get(1)) + " in type " + type);
        }
    }
}
