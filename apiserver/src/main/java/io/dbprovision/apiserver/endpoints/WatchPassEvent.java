package io.dbprovision.apiserver.endpoints;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * One pass of an I/O thread's watch fan-out ({@link WatchFanout}), in a flight recording: how many streams it wrote
 * and over how many HTTP/2 connections it gathered their frames; its duration is what any other task of that I/O
 * thread waited for. Costs nothing without a recording.
 */
@Name("io.dbprovision.WatchPass")
@Label("Watch fan-out pass")
@Category({"DB Provision", "HTTP"})
@Description("An I/O thread's pass writing the watch streams that have events")
@StackTrace(false)
final class WatchPassEvent extends Event {
    @Label("Streams")
    int streams;

    @Label("HTTP/2 connections gathered")
    int connections;
}
