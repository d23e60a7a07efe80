//! Travel, hotels and venues.

use ddesk_core::model::{Hotel, RoomBlock, Stay, Travel, Venue, VenueRoom};
use ddesk_core::queries::{
    self, HotelRow, RoomBlockRow, StayRow, TravelRow, VenueRoomRow, VenueRow,
};

use super::{list_command, page_command, record_commands};

record_commands!(Travel, travel_get, travel_save, travel_delete);
record_commands!(Hotel, hotel_get, hotel_save, hotel_delete);
record_commands!(
    RoomBlock,
    room_block_get,
    room_block_save,
    room_block_delete
);
record_commands!(Stay, stay_get, stay_save, stay_delete);
record_commands!(Venue, venue_get, venue_save, venue_delete);
record_commands!(
    VenueRoom,
    venue_room_get,
    venue_room_save,
    venue_room_delete
);
page_command!(travel_list, queries::travel, TravelRow);
list_command!(hotel_list, queries::hotels, HotelRow);
list_command!(room_block_list, queries::room_blocks, RoomBlockRow);
page_command!(stay_list, queries::stays, StayRow);
list_command!(venue_list, queries::venues, VenueRow);
list_command!(venue_room_list, queries::venue_rooms, VenueRoomRow);
