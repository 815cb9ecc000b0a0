import { LocationPlaceIndex } from "@cdktf/provider-aws/lib/location-place-index";
import { Construct } from "constructs";

export interface PlaceIndexProps {
  readonly indexName: string;
}

/** A Location Service place index for geocoding addresses, on Esri data; results are not stored ("SingleUse"). */
export class PlaceIndex extends Construct {
  readonly index: LocationPlaceIndex;

  constructor(scope: Construct, id: string, props: PlaceIndexProps) {
    super(scope, id);
    this.index = new LocationPlaceIndex(this, "index", {
      indexName: props.indexName,
      dataSource: "Esri",
      dataSourceConfiguration: { intendedUse: "SingleUse" },
      description: "Geocoding for the application",
      tags: { Name: props.indexName },
    });
  }
}
