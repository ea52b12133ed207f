package io.dbprovision.apiserver.portal;

import com.google.protobuf.Descriptors;
import io.dbprovision.api.schema.Kind;
import io.dbprovision.apiserver.registry.Registry;
import io.dbprovision.apiserver.registry.ResourceStore;
import io.dbprovision.proto.portal.v1alpha1.ResourcesProto;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Every {@code <Plural>Service} of resources.proto, each matched to the kind its Get method returns and served by a
 * {@link KindService} on that kind's registry store. A service whose kind this registry does not serve, or a kind
 * without a service, stops the start: the API and the registry must say the same.
 */
final class KindServices {
    private static final String GRPC_PACKAGE = "io.dbprovision.proto.portal.v1alpha1.";

    private KindServices() {}

    static List<ServerServiceDefinition> all(Registry registry, Operations operations, Watches watches, Plans plans) {
        List<ServerServiceDefinition> definitions = new ArrayList<>();
        for (Descriptors.ServiceDescriptor service :
                ResourcesProto.getDescriptor().getServices()) {
            Descriptors.Descriptor object = service.getMethods().stream()
                    .filter(method -> method.getName().startsWith("Get"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(service.getFullName() + " has no Get method"))
                    .getOutputType();
            ResourceStore store = registry.stores().stream()
                    .filter(candidate ->
                            candidate.kind().descriptor().getFullName().equals(object.getFullName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(
                            service.getFullName() + ": the registry serves no " + object.getName()));
            Kind kind = store.kind();
            definitions.add(
                    new KindService(kind, store, grpcDescriptor(service), operations, registry.codec(), watches, plans)
                            .definition());
        }
        return definitions;
    }

    /** The generated {@code <Service>Grpc.getServiceDescriptor()}: its marshallers and the schema reflection serves. */
    private static ServiceDescriptor grpcDescriptor(Descriptors.ServiceDescriptor service) {
        try {
            Class<?> grpc = Class.forName(GRPC_PACKAGE + service.getName() + "Grpc");
            return (ServiceDescriptor) grpc.getMethod("getServiceDescriptor").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no generated gRPC class for " + service.getFullName(), e);
        }
    }
}
