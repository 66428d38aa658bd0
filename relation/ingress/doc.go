// Package ingress is the wire format of the ingress v2 interface (the traefik
// charm library charms.traefik_k8s.v2.ingress), for both sides; it may import
// relation/wire and the standard library only.
//
// The two sides:
//
//   - the provider side used by this charm's ingress and
//     ingress-unauthenticated endpoints: ParseAppData decodes and validates a
//     requirer's application bag into a Request; URL builds the address the
//     requirer is served at; ServedBag and WipedBag are the application bag
//     to publish (the charm writes them through a *juju.Leader, so only the
//     leader can, with wire.Changes skipping what is already held).
//   - the requirer side, used by the upstream-ingress endpoint and by Go
//     charms that want ingress: AppData.Bag and UnitData.Bag produce the bags
//     a requirer writes, ReadURL reads the URL a provider published back.
//
// Every databag value is JSON, written byte-for-byte as the Python library
// writes it, so Python and Go charms on either side see no difference.
// Unknown keys are ignored; invalid data is reported as a *FieldError that
// names the key and matches ErrMissing or ErrInvalid. The package does no
// I/O.
//
// A provider serving one relation:
//
//	req, err := ingress.ParseAppData(remoteAppBag)
//	if err != nil {
//		// not ready (errors.Is(err, ingress.ErrMissing)) or bad data: wipe
//		_, err = ingress.Publish(ctx, leader, rel, held, true, ingress.WipedBag())
//		return err
//	}
//	bag, err := ingress.ServedBag(ingress.URL("http", "10.1.2.3", req.Model, req.Name))
//	if err != nil {
//		log(err) // bag is the wipe bag: publish it, as the Python provider does
//	}
//	err = leader.RelationSetApp(ctx, rel, wire.Changes(held, true, bag))
package ingress
