# Two imports: one that matches the configuration, one that is updated after it is imported.
resource "terraform_data" "adopted" {}

resource "terraform_data" "adopted_changed" {
  input = "configured"
}

import {
  to = terraform_data.adopted
  id = "11111111-1111-1111-1111-111111111111"
}

import {
  to = terraform_data.adopted_changed
  id = "22222222-2222-2222-2222-222222222222"
}

resource "terraform_data" "created" {}
