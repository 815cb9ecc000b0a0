# Applied, then planned with -destroy: more destroys than one comment can list. Long for_each keys
# make the list long with few resources, so the fixture is quick to apply.
locals {
  keys = [for i in range(160) : format("%03d-%s", i, join("-", [for j in range(40) : "segment${j}"]))]
}

resource "terraform_data" "doomed" {
  for_each = toset(local.keys)
}
