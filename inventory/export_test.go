package inventory

import "reflect"

// For the external test of every command's kinds (allkinds_test.go).
var InterfaceField = func(t reflect.Type) string { return interfaceField(t, map[reflect.Type]bool{}) }

// ItemType is the item type of a *Kind[T] behind a Loader: the argument of
// its Load's add.
func ItemType(k Loader) reflect.Type { return reflect.TypeOf(k).Elem().Field(3).Type.In(2).In(0) }
