# More changes than one pull-request comment can list.
resource "terraform_data" "bulk" {
  count = 3000
  input = count.index
}
