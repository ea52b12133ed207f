package io.dbprovision.provisioner.service;

import io.dbprovision.proto.v1alpha1.PasswordConfig;

/** Draws a password by a policy (the passwordSecret block); refuses a policy it cannot meet with InvalidDefinition. */
@FunctionalInterface
public interface PasswordSource {
    String generate(PasswordConfig policy);
}
