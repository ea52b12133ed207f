package io.dbprovision.apiserver.reconcile;

/** Status messages and event texts kept to a size a status or an event can carry. */
final class Messages {
    static final int MAX = 1024;

    private Messages() {}

    static String bounded(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX ? message : message.substring(0, MAX - 1) + "…";
    }
}
